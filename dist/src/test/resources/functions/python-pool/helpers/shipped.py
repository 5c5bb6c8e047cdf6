WORD = "from the package"
