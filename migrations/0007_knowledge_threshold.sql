-- `ai.knowledgeMinConfidence` used to be a lowest margin over the runner-up article (default
-- 0.29); it is now the answer model's probability (default 0.36, shared/knowledge/answer.ts).
-- Pilots stored before hold the full settings JSON, so the old default 0.29 would now be read
-- as a probability and answer more out-of-scope questions. Remove it where it equals the old
-- default, so the new default applies; any other stored value (an admin's choice) is kept.
UPDATE pilots
   SET settings = json_remove(settings, '$.ai.knowledgeMinConfidence')
 WHERE json_valid(settings)
   AND json_extract(settings, '$.ai.knowledgeMinConfidence') = 0.29;
