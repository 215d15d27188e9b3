"""Built-in analyzers, one package each: manifest plus analyzer."""
