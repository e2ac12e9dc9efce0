-- The inbox's views are filtered by the API (`GET /conversations?mode=agent`, `?assignee=`),
-- newest first. With only (workspace_id, updated_at, id) a page of a view with few matches read
-- every conversation of the workspace (a review measured 200,000 rows read for an empty page of
-- "Handed over", the inbox's default view, asked again on live refreshes). These put each
-- filter's rows together in the list's order.
CREATE INDEX conversations_mode ON conversations(workspace_id, mode, status, updated_at, id);
CREATE INDEX conversations_assignee ON conversations(workspace_id, assignee, updated_at, id)
  WHERE assignee IS NOT NULL;
