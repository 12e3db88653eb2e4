"""The bundled demo scenario: fixture sites served on 127.0.0.1 and an end-to-end run over them."""
