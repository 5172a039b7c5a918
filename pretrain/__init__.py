"""Contrastive image/report pretraining on a store (open_clip CustomTextCLIP + InfoNCE)."""
