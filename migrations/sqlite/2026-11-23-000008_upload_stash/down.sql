DROP TABLE upload_stash;
