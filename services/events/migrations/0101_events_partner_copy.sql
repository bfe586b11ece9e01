-- Events keeps a copy of the network's partners (to invite "all partners"),
-- from membership.partner.created / updated events.

create table partner_copies (
    tenant     text not null,
    partner_id uuid not null,
    name       text not null,
    email      text,
    status     text not null,
    updated_at timestamptz not null default now(),
    primary key (tenant, partner_id)
);

select isolate_tenant('partner_copies');
