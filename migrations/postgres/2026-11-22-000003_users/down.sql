DROP TABLE login_throttle;
DROP TABLE users;
