-- Full-text search (issue 3): an FTS5 index over each table's normalised search_text, kept in
-- step by triggers (so every writer, the bulk demo path included, keeps it exact). External
-- content: the text lives once, in the table; the index maps the table's rowid to its words.
-- Rowids are stable here: every table has an index (its primary key), and SQLite keeps the
-- rowids of such tables through VACUUM and VACUUM INTO (the backup).
-- detail=none stores no positions (queries AND separate words, never phrases), which keeps the
-- index and the cost of each write small. Prefix indexes of 1 to 8 characters answer a search as
-- you type from one doclist each: without them, a prefix query reads every distinct word that
-- starts with it, and phone numbers and email names make those tens of thousands (measured on a
-- million contacts: "karimi*" 15 ms without, under 1 ms with). They roughly double the index's
-- size and build time (about 15 µs per contact), which is small beside the rest of a create.
-- Letters, digits and combining marks are word characters, the same rule as
-- peyvand_store::search_tokens on the query side.

CREATE VIRTUAL TABLE accounts_search USING fts5(
    search_text, content='accounts', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO accounts_search(accounts_search) VALUES ('rebuild');
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER accounts_search_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_search(accounts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF search_text ON accounts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO accounts_search(accounts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO accounts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE contacts_search USING fts5(
    search_text, content='contacts', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO contacts_search(contacts_search) VALUES ('rebuild');
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search(contacts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contacts_search(contacts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO contacts_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE leads_search USING fts5(
    search_text, content='leads', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO leads_search(leads_search) VALUES ('rebuild');
CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_search(leads_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER leads_search_update AFTER UPDATE OF search_text ON leads
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO leads_search(leads_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO leads_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE users_search USING fts5(
    search_text, content='users', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO users_search(users_search) VALUES ('rebuild');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search(users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search_text ON users
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO users_search(users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO users_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE teams_search USING fts5(
    search_text, content='teams', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO teams_search(teams_search) VALUES ('rebuild');
CREATE TRIGGER teams_search_insert AFTER INSERT ON teams BEGIN
    INSERT INTO teams_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER teams_search_delete AFTER DELETE ON teams BEGIN
    INSERT INTO teams_search(teams_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER teams_search_update AFTER UPDATE OF search_text ON teams
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO teams_search(teams_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO teams_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE roles_search USING fts5(
    search_text, content='roles', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO roles_search(roles_search) VALUES ('rebuild');
CREATE TRIGGER roles_search_insert AFTER INSERT ON roles BEGIN
    INSERT INTO roles_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER roles_search_delete AFTER DELETE ON roles BEGIN
    INSERT INTO roles_search(roles_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER roles_search_update AFTER UPDATE OF search_text ON roles
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO roles_search(roles_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO roles_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE VIRTUAL TABLE branches_search USING fts5(
    search_text, content='branches', content_rowid='rowid', detail='none', prefix='1 2 3 4 5 6 7 8',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
INSERT INTO branches_search(branches_search) VALUES ('rebuild');
CREATE TRIGGER branches_search_insert AFTER INSERT ON branches BEGIN
    INSERT INTO branches_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER branches_search_delete AFTER DELETE ON branches BEGIN
    INSERT INTO branches_search(branches_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER branches_search_update AFTER UPDATE OF search_text ON branches
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO branches_search(branches_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO branches_search(rowid, search_text) VALUES (new.rowid, new.search_text);
END;
