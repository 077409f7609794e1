-- Documents are reviewed before they are public (issue #22): an import is a draft that only
-- staff see until one of them publishes it. Documents stored before this migration were public
-- already and stay so.
ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'published';
