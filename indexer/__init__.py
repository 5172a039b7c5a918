"""Archive ingestion and embedding at scale: walking trees, batching, workers, resumable jobs, FAISS building."""
