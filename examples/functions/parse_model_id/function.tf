# Branch on what a model is, without split(":", ...): a job id may contain
# ":" and an RL output may end in a checkpoint.
terraform {
  required_version = ">= 1.8" # provider functions
  required_providers {
    # Provider functions are found only through required_providers.
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

variable "start_from" {
  type    = string
  default = "rl:Qwen/Qwen3-4B:job_291bc0cfa2f641ee:checkpoint-epoch-1"
}

locals {
  start = provider::synth::parse_model_id(var.start_from)
}

output "start_from" {
  value = {
    kind       = local.start.kind       # "rl"
    base_model = local.start.base_model # "Qwen/Qwen3-4B"
    job_id     = local.start.job_id     # "job_291bc0cfa2f641ee"
    checkpoint = local.start.checkpoint # "checkpoint-epoch-1"
  }
}

# A LoRA adapter (peft:) and a full fine-tune (fft:) train differently.
output "trainer_mode" {
  value = local.start.kind == "lora" ? "lora" : "full"
}
