-- A board page (`/achievements?page=50`) reads one kind's listings newest first, drafts
-- hidden. With `(kind, id)` alone every skipped row was read from the table to check its
-- status (the rows carry their JSON bodies); with the status in the index the page's ids are
-- found in the index alone and only the rows shown are read.
CREATE INDEX listings_kind_order ON listings (kind, id, status);
DROP INDEX listings_kind;
