"""Images: reading DICOM (JPEG 2000 included), display LUTs, the pixel cache's format, thumbnails, query images."""
