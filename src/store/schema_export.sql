-- Migration (exports): the journal by action. Exports replay the decisions of a large journal
-- without reading their bodies (a covering scan of this index instead of every page of the
-- table), and find the last export of a format or the last sign-off without a full scan.
CREATE INDEX journal_by_action ON journal(action, seq, candidate);
