# La página de la cuenta (app/src/pages/account.rs).

account-title = Tu cuenta
account-username = Nombre de usuario
account-role = Rol
# Los nombres de los roles, tal como los muestra la página de la cuenta.
account-role-admin = administrador
account-role-user = usuario
account-member-since = Miembro desde

## Dirección de correo electrónico

account-email-title = Dirección de correo electrónico
account-email-confirmed = Confirmada
account-email-waiting = Pendiente de confirmación
account-email-waiting-hint = Sigue el enlace que enviamos a esta dirección.
account-email-none = Todavía no tienes ninguna dirección. Con una dirección confirmada puedes restablecer una contraseña olvidada.
account-email-resend = Enviar el enlace de nuevo
account-email-new = Nueva dirección de correo electrónico
account-email-add = Dirección de correo electrónico que quieres añadir
account-email-change-submit = Cambiar la dirección
account-email-add-submit = Añadir la dirección
account-email-change-hint = Enviamos un enlace a la nueva dirección para confirmarla.
account-password = Contraseña

## Contraseña

account-change-password-title = Cambiar la contraseña
account-current-password = Contraseña actual
account-new-password = Contraseña nueva
account-change-password-submit = Cambiar la contraseña
account-change-password-hint = Se cerrará la sesión en tus otros dispositivos.

## Sesiones

account-sessions-title = Sesiones
account-sessions-text = Cierra la sesión en todos los dispositivos en los que la tengas iniciada, incluido este.
account-log-out-everywhere = Cerrar sesión en todas partes

## Eliminar la cuenta

account-delete-title = Eliminar la cuenta
account-delete-text = Esto elimina tu cuenta y todo lo que se guarda con ella. No se puede deshacer.
account-delete-submit = Eliminar mi cuenta
