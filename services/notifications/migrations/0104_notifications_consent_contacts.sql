-- The contacts whose legal basis is consent (kind 'contact', scope 'consent', ref: membership's
-- contact id; from membership.contact.created/updated): every mail to such an address carries
-- a link to withdraw the consent, which erases the contact (notifications.consent.withdrawn).

alter table recipients drop constraint recipients_kind_check;
alter table recipients add constraint recipients_kind_check
    check (kind in ('body_member', 'partner', 'contact'));
