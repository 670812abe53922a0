DROP TRIGGER instructors_user_notify ON instructors;
DROP TRIGGER doctors_user_notify ON doctors;
DROP FUNCTION cunyi_user_link_notify();
DROP TRIGGER users_notify ON users;
DROP FUNCTION cunyi_users_notify();
