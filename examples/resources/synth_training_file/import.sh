# Import a file the backend already holds by its id. Set `path` in the
# configuration to the local copy: the first plan hashes it and, if the
# content is the same, only records the path.
terraform import synth_training_file.train file_0123456789abcdef
