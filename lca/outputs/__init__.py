"""Results out: Datasets -> text, files, JSON/CSV documents, charts, report, model card.

Nothing here runs the model."""
