# Upload a chat-format JSONL dataset for supervised fine-tuning. The plan
# checks every line; changing the file's content uploads a new file and
# replaces everything that trains on it.
resource "synth_training_file" "train" {
  path = "${path.module}/train.jsonl"
}

# A validation set is a second, separate upload with the same purpose.
resource "synth_training_file" "validation" {
  path = "${path.module}/validation.jsonl"
}

output "training_file_id" {
  value = synth_training_file.train.id
}
