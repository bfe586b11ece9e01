-- German order for sorted lists (issue 22): DIN 5007 variant 1 (Ä with A, ß as ss) with numbers
-- by their value ("Verein Nummer 76" before "Verein Nummer 100"), from ICU. A server built
-- without ICU (the embedded server of `make run`) gets the byte order under the same name.
do $$
begin
    create collation if not exists german (provider = icu, locale = 'de-u-kn-true');
exception when others then
    create collation if not exists german from "C";
end
$$;
