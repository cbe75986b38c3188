"""Safe readers of data files, below every other layer (the catalogue, the evidence, the
engine): YAML loaded with limits and line numbers (:mod:`.yamlsafe`, :mod:`.yamlnodes`), one
YAML mapping with its first validation error placed on a line (:mod:`.datafile`), and the
user-cache of validated data files (:mod:`.datacache`)."""
