-- The default `fallbackMessage` used to promise a follow-up nobody makes ("Thanks! We'll get
-- back to you shortly.", said to every question the pilot could not answer, to visitors who
-- left no address). Pilots stored before hold the full settings JSON, so they would keep it.
-- Remove it where it equals the old default, so the new, honest default applies (the pilot's
-- snapshot picks it up at its next publish or settings change); any other text (an admin's
-- own) is kept.
UPDATE pilots
   SET settings = json_remove(settings, '$.fallbackMessage')
 WHERE json_valid(settings)
   AND json_extract(settings, '$.fallbackMessage') = 'Thanks! We''ll get back to you shortly.';
