-- Other instances forget an account they keep for token checks (auth::versions) when
-- it changes: the id goes out on channel `cunyi_users` when the transaction commits.
CREATE FUNCTION cunyi_users_notify() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('cunyi_users', OLD.id::text);
    ELSE
        PERFORM pg_notify('cunyi_users', NEW.id::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_notify AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION cunyi_users_notify();

-- A doctor or instructor record linked to (or unlinked from) an account changes what
-- its session carries.
CREATE FUNCTION cunyi_user_link_notify() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.user_id IS NOT NULL THEN
        PERFORM pg_notify('cunyi_users', OLD.user_id::text);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.user_id IS NOT NULL THEN
        PERFORM pg_notify('cunyi_users', NEW.user_id::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER doctors_user_notify AFTER INSERT OR DELETE OR UPDATE OF user_id ON doctors
    FOR EACH ROW EXECUTE FUNCTION cunyi_user_link_notify();
CREATE TRIGGER instructors_user_notify AFTER INSERT OR DELETE OR UPDATE OF user_id ON instructors
    FOR EACH ROW EXECUTE FUNCTION cunyi_user_link_notify();
