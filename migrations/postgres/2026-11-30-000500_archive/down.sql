DROP TABLE archive_documents;
