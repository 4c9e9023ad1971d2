"""The yearly KOSTRA report: one typed input (:class:`ReportData`), charts, findings, HTML/PDF."""
