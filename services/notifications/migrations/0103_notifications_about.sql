-- What a delivery is about (the partner of a decision or an introduction slot), so that an
-- introduction mail can wait for the decision mail about the same partner (Leitlinie 3).

alter table notifications add column about text;
create index notifications_about on notifications (tenant, about, template) where about is not null;
