"""SCORM 1.2 and cmi5 packages of live modules (``champion export scorm|cmi5``)."""
