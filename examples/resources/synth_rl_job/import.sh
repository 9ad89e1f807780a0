# Import a job by its id. The typed attributes are filled from the config the
# job was submitted with; config_toml cannot be recovered.
terraform import synth_rl_job.example job_0123456789abcdef
