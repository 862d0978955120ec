"""Guards that keep records as they are whatever the door (see
docs/security.md): what the workflows' permissions and the content
subscribers leave open."""
