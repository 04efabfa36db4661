"""The live interview in WeCom chat and the panel's scoring."""
