# Import an SFT job by its id. The typed attributes and the file ids are
# filled from the request the job echoes; what has no typed attribute comes
# back in config_toml.
terraform import synth_sft_job.example job_0123456789abcdef
