DROP TABLE program_quotas;
DROP TABLE programs;
