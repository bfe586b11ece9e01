-- Minutes record who took them and when they were approved (Leitlinie 6: dissenting opinions
-- of decisions taken by show of hands are entered by hand, kept with the decisions).
alter table minutes add column taken_by text;
alter table minutes add column approved_at timestamptz;
