# A full fine-tune of Qwen3-4B on an uploaded dataset; the RL job below trains
# from its checkpoint in the same apply. Changing train.jsonl uploads a new
# file, which replaces the fine-tune, which replaces the RL job.
resource "synth_training_file" "train" {
  path = "${path.module}/train.jsonl"
}

resource "synth_sft_job" "fft" {
  training_file_id = synth_training_file.train.id

  model   = { base = "Qwen/Qwen3-4B" }
  compute = { gpu_type = "H100", gpu_count = 4 }
  hyperparameters = {
    n_epochs      = 1
    batch_size    = 4
    learning_rate = 0.00001
    warmup_ratio  = 0.03
  }
  parallelism = { use_deepspeed = true, deepspeed_stage = 2, bf16 = true }
}

variable "task_app_url" {
  type = string
}

resource "synth_rl_job" "crafter" {
  model    = { source = synth_sft_job.fft.fine_tuned_model }
  services = { task_url = var.task_app_url }
}

output "fft_model" {
  value = synth_sft_job.fft.fine_tuned_model # fft:Qwen/Qwen3-4B:job_...
}
