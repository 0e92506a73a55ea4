"""What others reuse: the open-data export of a charter and the JSON Schemas of its files."""
