-- Counting listings by kind and status (every list page and the home page) reads only this
-- index instead of every row's JSON body: with 100k listings, a count drops from a table scan
-- to an index range.
CREATE INDEX listings_kind_status ON listings (kind, status, id);
CREATE INDEX listings_status ON listings (status, id);
