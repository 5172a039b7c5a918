"""Vector indexes: FAISS files on disk, backends (CPU/GPU), top-k search, the torch exact index, memory budget."""
