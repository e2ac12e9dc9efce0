-- Issue 19: the score of a rating question (stars 1..5, thumbs 1/0) on its enrollment step, so
-- insights can average it per flow and version. Null for every other step.
ALTER TABLE enrollment_steps ADD COLUMN rating REAL;
