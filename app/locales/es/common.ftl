# El marco de todas las páginas (app/src/layout.rs) y los mensajes que comparten.
common-skip-to-content = Saltar al contenido
common-menu = Menú
common-nav-main = Principal
common-nav-home = Inicio
common-nav-history = Historial
common-nav-admin = Administración
common-nav-account-of = Cuenta de{" "}
common-log-out = Cerrar sesión
common-log-in = Iniciar sesión
common-sign-up = Crear cuenta
common-footer = trazo reconoce dígitos escritos a mano con una red convolucional entrenada con MNIST.
common-language-switch = Cambiar el idioma
common-session-ended = Tu sesión ha terminado. Vuelve a iniciar sesión.
