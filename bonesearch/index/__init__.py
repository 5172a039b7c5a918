"""Vector indexes: FAISS files on disk, building and editing (backends), search backends (FAISS,
faiss-gpu, the torch exact index), top-k search, L2-normalised vectors, memory budget."""
