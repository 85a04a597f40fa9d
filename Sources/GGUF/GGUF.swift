/// The GGUF module: file format, validation, tensor views. See GGUFFile.
