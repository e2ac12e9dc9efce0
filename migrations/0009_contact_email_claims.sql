-- An anonymous visitor's contact (`ct_<visitorId>`, no external_id) holds only what they typed
-- into a form: a claim. The unique email index made the first visitor to type an address its
-- holder, so a stranger could squat a customer's email and keep the verified customer (and
-- every later visitor) from it. Emails are now unique among owning contacts only: verified ones
-- (external_id) and those an admin made. Queries that look a holder up repeat this condition
-- (worker/effects/crm.ts OWNS_EMAIL_SQL), which also lets SQLite use this partial index.
DROP INDEX IF EXISTS contacts_email;
CREATE UNIQUE INDEX contacts_email ON contacts(workspace_id, email)
  WHERE email IS NOT NULL AND (external_id IS NOT NULL OR substr(id, 1, 3) <> 'ct_');
