-- How a ballot was opened: 'manual' (by hand, POST ballots) or the event that put its
-- subject to the vote ('application.checked', 'working_group_proposal.submitted').
-- ballot.closed carries it, so that membership decides an application only by its own ballot.

alter table ballots add column origin text not null default 'manual';

update ballots set origin = 'application.checked'
 where subject_kind = 'admission' and opened_by like 'event:%';
update ballots set origin = 'working_group_proposal.submitted'
 where subject_kind = 'working_group_founding' and opened_by like 'event:%';
