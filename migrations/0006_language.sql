-- The interface language a person chose with the switch in the header (a code the server
-- knows, 'en' or 'es', checked by the server; NULL: never chosen, so each browser follows its
-- cookie or Accept-Language). Applied at log-in.
ALTER TABLE users ADD COLUMN language TEXT;
