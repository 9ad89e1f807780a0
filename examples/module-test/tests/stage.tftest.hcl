# `terraform test` (Terraform 1.7+, OpenTofu 1.8+ for mock_provider; the
# module's provider function needs Terraform 1.8+). The runs that name
# `synth.mock` never reach a backend; the last run submits a real job with the
# provider's settings from the environment (SYNTH_BACKEND_URL, SYNTH_API_KEY,
# ENVIRONMENT_API_KEY, TASK_APP_URL), and `terraform test` destroys it after.

provider "synth" {}

# A mock answers for the provider's resources and data sources: plan and
# apply return the configured values and these defaults (or made-up values
# for other computed attributes) and nothing is sent. Provider functions still
# run in the real provider, so the module's parse_model_id works as in
# production.
mock_provider "synth" {
  alias = "mock"

  mock_resource "synth_rl_job" {
    defaults = {
      id              = "job_mock"
      status          = "succeeded"
      output_model_id = "rl:Qwen/Qwen3-4B:job_mock"
    }
  }
}

run "base_model_goes_to_model_base" {
  command   = plan
  providers = { synth = synth.mock }

  variables {
    start_from = "qwen/qwen3-4b"
    label      = "from-base"
  }

  assert {
    condition     = synth_rl_job.stage.model.base == "qwen/qwen3-4b" && synth_rl_job.stage.model.source == null
    error_message = "A base model must be sent as model.base."
  }
  assert {
    condition     = synth_rl_job.stage.tags.base_model == "Qwen/Qwen3-4B"
    error_message = "The base_model tag must carry the catalogue's spelling."
  }
}

run "trained_model_goes_to_model_source" {
  providers = { synth = synth.mock }

  variables {
    start_from = "fft:Qwen/Qwen3-0.6B:job_291bc0cfa2f641ee"
    label      = "from-fft"
  }

  assert {
    condition     = synth_rl_job.stage.model.source == "fft:Qwen/Qwen3-0.6B:job_291bc0cfa2f641ee" && synth_rl_job.stage.model.base == null
    error_message = "A trained model must be sent unchanged as model.source."
  }
  assert {
    condition     = synth_rl_job.stage.model.trainer_mode == "full" && synth_rl_job.stage.tags.base_model == "Qwen/Qwen3-0.6B"
    error_message = "A full fine-tune (fft:) must train in full from its base."
  }
  assert {
    condition     = output.job_id == "job_mock" && output.trained_model == "rl:Qwen/Qwen3-4B:job_mock"
    error_message = "The outputs must come from the job."
  }
}

run "invalid_model_id_is_refused" {
  command   = plan
  providers = { synth = synth.mock }

  variables {
    start_from = "ft:job_123"
    label      = "broken"
  }

  expect_failures = [var.start_from]
}

run "trains_on_the_backend" {
  variables {
    start_from = "Qwen/Qwen3-4B"
    label      = "from-base"
  }

  assert {
    condition     = output.status == "succeeded"
    error_message = "The job must succeed."
  }
  assert {
    # Not provider::synth::parse_model_id(...) here: OpenTofu 1.12 crashes
    # when an assertion calls a provider function (the module may).
    condition     = startswith(output.trained_model, "rl:Qwen/Qwen3-4B:job_")
    error_message = "The trained model must be an RL model of the base it started from."
  }
}
