-- Companies (issue 19): the organisations contacts belong to (`company.*` in flows). A JSON
-- document like contacts, with its name and domain indexed for `?q=`. Domains are not unique:
-- a company captured from an anonymous visitor's form is never merged into an existing one.
CREATE TABLE companies (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  name TEXT,
  domain TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX companies_list ON companies(workspace_id, created_at, id);
CREATE INDEX companies_domain ON companies(workspace_id, domain);

-- A contact's company (at most one); unlinking sets it back to NULL.
ALTER TABLE contacts ADD COLUMN company_id TEXT;
CREATE INDEX contacts_company ON contacts(workspace_id, company_id) WHERE company_id IS NOT NULL;
