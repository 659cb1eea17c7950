# Inicio de sesión y registro (app/src/pages/credentials.rs), las páginas a las que llevan los
# enlaces enviados por correo (app/src/pages/recovery.rs), el botón de envío de los formularios
# (app/src/pages/notice.rs) y la página de las direcciones que no llevan a ninguna parte
# (app/src/pages/not_found.rs).

## Iniciar sesión y crear cuenta

auth-login-title = Iniciar sesión
auth-login-submit = Iniciar sesión
auth-signup-title = Crear cuenta
auth-signup-submit = Crear cuenta
auth-username = Nombre de usuario
auth-username-hint = De 3 a 32 caracteres: letras, dígitos, '.', '_' o '-'.
auth-password = Contraseña
auth-password-hint = Al menos 8 caracteres. Varias palabras sin relación entre sí forman una contraseña segura y fácil de recordar.
auth-email-optional = Correo electrónico (opcional)
auth-email-hint = Te enviamos un enlace para confirmarlo. Con una dirección confirmada puedes restablecer una contraseña olvidada.
auth-forgot-link = ¿Olvidaste tu contraseña?
# Va seguido de un enlace (auth-create-account-link): conserva el espacio final.
auth-new-here = ¿Primera vez por aquí?{" "}
auth-create-account-link = Crea una cuenta
# Va seguido de un enlace (auth-log-in-link): conserva el espacio final.
auth-have-account = ¿Ya tienes una cuenta?{" "}
auth-log-in-link = Inicia sesión

## Lo que responde un envío de formulario sin JavaScript

auth-error-address = Esa dirección de correo electrónico no es válida. Usa el formato nombre@ejemplo.com.
auth-error-no-mail = Este servidor no envía correo, así que ni las direcciones de correo electrónico ni el restablecimiento de contraseña por correo están disponibles. Pregunta al administrador.
auth-error-missing = Faltan el nombre de usuario y la contraseña
auth-error-credentials = Nombre de usuario o contraseña incorrectos
auth-error-disabled = Esta cuenta ha sido desactivada. Ponte en contacto con el administrador.
auth-error-taken = Ese nombre de usuario ya existe
auth-error-policy = Ese nombre de usuario o esa contraseña no están permitidos. Los nombres de usuario tienen de 3 a 32 caracteres entre a–z, 0–9, '.', '_' y '-'; las contraseñas necesitan de 8 a 128 caracteres y no deben ser fáciles de adivinar.
# $count: los minutos enteros de espera (desde 2), para el plural; $shown: el mismo número, con formato.
auth-error-throttled-minutes = { $count ->
    [one] Demasiados intentos. Vuelve a intentarlo dentro de { $shown } minuto.
   *[other] Demasiados intentos. Vuelve a intentarlo dentro de { $shown } minutos.
}
# $count: los segundos de espera (menos de 120), para el plural; $shown: el mismo número, con formato.
auth-error-throttled-seconds = { $count ->
    [one] Demasiados intentos. Vuelve a intentarlo dentro de { $shown } segundo.
   *[other] Demasiados intentos. Vuelve a intentarlo dentro de { $shown } segundos.
}
auth-error-throttled-later = Demasiados intentos. Vuelve a intentarlo más tarde.
auth-error-unexpected = Algo ha fallado por nuestra parte. Vuelve a intentarlo.

## El botón de envío de un formulario mientras se procesa

auth-please-wait = Un momento…

## Contraseña olvidada (/forgot-password)

auth-forgot-title = ¿Olvidaste tu contraseña?
auth-forgot-intro = Indica tu nombre de usuario o tu dirección de correo electrónico confirmada. Si la cuenta tiene una dirección confirmada, le enviamos un enlace para elegir una contraseña nueva.
auth-forgot-login = Nombre de usuario o correo electrónico
auth-forgot-submit = Envíame un enlace
# Va seguido de un enlace (auth-log-in-link): conserva el espacio final.
auth-remembered = ¿Ya la recuerdas?{" "}

## Contraseña nueva (/reset-password)

auth-reset-title = Elige una contraseña nueva
auth-reset-new-password = Contraseña nueva
auth-reset-hint = Al menos 8 caracteres. Se cerrará la sesión en todos los dispositivos en los que la tengas iniciada.
auth-reset-submit = Guardar la contraseña nueva
# Va seguido de un enlace (auth-ask-new-link): conserva el espacio final.
auth-link-not-working = ¿El enlace no funciona?{" "}
auth-ask-new-link = Pide uno nuevo

## Confirmación del correo electrónico (/confirm-email)

auth-confirm-title = Confirma tu dirección de correo electrónico
auth-confirm-intro = Confirma que esta dirección pertenece a tu cuenta de trazo.
auth-confirm-submit = Confirmar mi dirección
auth-your-account-link = Tu cuenta

## Página no encontrada

auth-not-found-title = Página no encontrada
auth-not-found-text = No hay nada en esta dirección.
auth-not-found-home = Volver a la página de inicio
