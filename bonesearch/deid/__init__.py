"""De-identification: the pseudonymisation key, DICOM headers and French report text."""
