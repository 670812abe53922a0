DROP TABLE dossier_exports;
