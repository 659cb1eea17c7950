# Los mensajes del servidor (app/src/i18n/server_text.rs): la API JSON los sigue enviando en inglés,
# porque son su contrato; las páginas los muestran desde aquí. $wait es uno de los mensajes
# server-wait-*; $limit, $min, $max y $shown son números ya formateados; $size es un tamaño como
# "5 MiB".

## Esperas, como en "Vuelve a intentarlo en 2 minutos."
server-wait-seconds = { $count ->
    [one] { $shown } segundo
   *[other] { $shown } segundos
}
server-wait-minutes = { $count ->
    [one] { $shown } minuto
   *[other] { $shown } minutos
}
server-wait-hours = { $count ->
    [one] { $shown } hora
   *[other] { $shown } horas
}

## Límites alcanzados
server-too-many-signups = Se crearon demasiadas cuentas desde tu red. Vuelve a intentarlo en { $wait }.
server-too-many-failures-network = Demasiados inicios de sesión fallidos desde tu red. Vuelve a intentarlo en { $wait }.
server-too-many-failures-account = Demasiados inicios de sesión fallidos en esta cuenta. Vuelve a intentarlo en { $wait }.
server-too-many-confirmation-mails = Se pidieron demasiados correos de confirmación para esta cuenta. Vuelve a intentarlo en { $wait }.
server-too-many-reset-requests = Demasiadas solicitudes de restablecimiento de contraseña desde tu red. Vuelve a intentarlo en { $wait }.
server-labels-limit = Límite de etiquetas alcanzado ({ $limit } por hora). Vuelve a intentarlo en { $wait }.
server-rate-limit-hour = Límite de predicciones alcanzado ({ $limit } por hora). Vuelve a intentarlo en { $wait }.
server-rate-limit-day = Límite de predicciones alcanzado ({ $limit } al día). Vuelve a intentarlo en { $wait }.
server-rate-limit = Límite de predicciones alcanzado. Vuelve a intentarlo en { $wait }.
server-too-many-at-once = Demasiados inicios de sesión o registros a la vez desde tu red. Vuelve a intentarlo en un segundo.
server-password-checks-busy = Ahora mismo se están comprobando demasiados inicios de sesión y registros. Vuelve a intentarlo en un momento.

## Sesiones e inicio de sesión
server-token-expired = El token ha caducado
server-missing-authorization = Falta la cabecera Authorization
server-invalid-token = El token no es válido
server-missing-refresh-token = Falta el token de renovación
server-refresh-token-reused = Este token de renovación ya se había usado, así que la sesión se cerró por seguridad. Vuelve a iniciar sesión.
server-invalid-authorization-header = La cabecera Authorization no es válida
server-authorization-form = La cabecera Authorization debe tener la forma: Bearer <token>
server-missing-credentials = Se necesitan el nombre de usuario y la contraseña
server-bad-credentials = Nombre de usuario o contraseña incorrectos
server-session-ended = La sesión ha terminado; vuelve a iniciar sesión
server-account-disabled = Esta cuenta está desactivada. Ponte en contacto con el administrador.
server-logged-out = Sesión cerrada
server-logged-out-everywhere = Sesión cerrada en todos los dispositivos

## Nombres de usuario, direcciones y contraseñas
server-username-length = Los nombres de usuario tienen entre { $min } y { $max } caracteres.
server-username-characters = Los nombres de usuario solo pueden tener letras a–z, dígitos, puntos, guiones bajos y guiones.
server-username-start = Los nombres de usuario empiezan por una letra o un dígito.
server-username-reserved = Este nombre de usuario está reservado. Elige otro.
server-username-taken = Ese nombre de usuario ya existe
server-bad-email = Esa dirección de correo electrónico no es válida. Usa la forma nombre@example.com (254 caracteres como máximo).
server-password-too-short = Las contraseñas tienen al menos { $min } caracteres.
server-password-too-long = Las contraseñas tienen como máximo { $max } caracteres.
server-password-too-easy = Esta contraseña es demasiado fácil de adivinar.
server-password-add-more = Añade más palabras o caracteres.

## Los consejos para una contraseña rechazada (las palabras de zxcvbn)
server-advice-straight-rows = Las filas seguidas de teclas son fáciles de adivinar.
server-advice-short-keyboard-patterns = Los patrones de teclado cortos son fáciles de adivinar.
server-advice-repeats-aaa = Las repeticiones como «aaa» son fáciles de adivinar.
server-advice-repeats-abcabc = Las repeticiones como «abcabcabc» son apenas más difíciles de adivinar que «abc».
server-advice-top-10 = Es una de las 10 contraseñas más comunes.
server-advice-top-100 = Es una de las 100 contraseñas más comunes.
server-advice-very-common = Es una contraseña muy común.
server-advice-similar-to-common = Se parece a una contraseña muy usada.
server-advice-sequences = Las secuencias como abc o 6543 son fáciles de adivinar.
server-advice-recent-years = Los años recientes son fáciles de adivinar.
server-advice-word-by-itself = Una palabra sola es fácil de adivinar.
server-advice-dates = Las fechas suelen ser fáciles de adivinar.
server-advice-names-by-themselves = Los nombres y apellidos solos son fáciles de adivinar.
server-advice-common-names = Los nombres y apellidos comunes son fáciles de adivinar.
server-advice-use-a-few-words = Usa varias palabras y evita las frases hechas.
server-advice-no-need-for-symbols = No hacen falta símbolos, dígitos ni mayúsculas.
server-advice-add-another-word = Añade una o dos palabras más. Mejor si son poco comunes.
server-advice-capitalization = Las mayúsculas no ayudan mucho.
server-advice-all-uppercase = Todo en mayúsculas es casi tan fácil de adivinar como todo en minúsculas.
server-advice-reversed-words = Las palabras al revés no son mucho más difíciles de adivinar.
server-advice-predictable-substitutions = Las sustituciones previsibles, como «@» en lugar de «a», no ayudan mucho.
server-advice-longer-keyboard-pattern = Usa un patrón de teclado más largo y con más giros.
server-advice-avoid-repeats = Evita repetir palabras y caracteres.
server-advice-avoid-sequences = Evita las secuencias.
server-advice-avoid-recent-years = Evita los años recientes.
server-advice-avoid-years-associated = Evita los años relacionados contigo.
server-advice-avoid-dates-associated = Evita las fechas y los años relacionados contigo.

## La cuenta
server-registered = Usuario registrado correctamente
server-password-change-fields = Se necesitan la contraseña actual y la nueva
server-password-changed = Contraseña cambiada. Se cerraron tus otras sesiones.
server-password-not-correct = La contraseña no es correcta
server-password-required = Se necesita la contraseña
server-account-deleted = Se eliminaron tu cuenta y sus datos
server-language-unknown = el idioma debe ser en o es
server-language-saved = Idioma guardado.

## Direcciones de correo electrónico y enlaces enviados por correo
server-mail-disabled = Este servidor no envía correo, así que las direcciones de correo electrónico y el restablecimiento de contraseña por correo no están disponibles. Pregunta al administrador.
server-email-confirmed = Tu dirección de correo electrónico está confirmada.
server-email-unconfirmed = Confirma tu dirección de correo electrónico antes de hacer predicciones: sigue el enlace que te enviamos por correo o pide uno nuevo.
server-link-unknown = Este enlace no es válido. Copia el enlace completo del correo o pide uno nuevo.
server-link-used = Este enlace ya se usó. Pide uno nuevo si lo necesitas.
server-link-expired = Este enlace ha caducado. Pide uno nuevo.
server-link-replaced = Este enlace es para una dirección que ya no está en la cuenta.
server-address-taken = Esta dirección ya está confirmada en otra cuenta.
server-no-address = No hay ninguna dirección que confirmar. Añade una en la página de tu cuenta.
server-address-already-confirmed = Tu dirección ya está confirmada.
server-confirmation-sent = Te enviamos un nuevo enlace de confirmación. Puede tardar unos minutos en llegar.
server-email-change-fields = Se necesitan la nueva dirección y la contraseña
server-address-unchanged = Esa ya es tu dirección confirmada.
server-address-changed = Dirección cambiada. Enviamos un enlace a la nueva dirección para confirmarla.
server-reset-login-required = Se necesita el nombre de usuario o la dirección de correo electrónico
server-reset-requested = Si esa cuenta existe y tiene una dirección de correo electrónico confirmada, le enviamos un enlace para restablecer la contraseña.
server-new-password-required = Se necesita la nueva contraseña
server-password-reset = Tu contraseña se cambió. Inicia sesión con la nueva.

## Administración
server-admin-only = Solo los administradores pueden hacer esto
server-search-too-long = La búsqueda es demasiado larga ({ $max } caracteres como máximo)
server-admin-disable-fields = Se necesitan el nombre de usuario y disabled (true o false)
server-no-such-user = No existe ese usuario
server-cannot-disable-self = No puedes desactivar tu propia cuenta
server-user-disabled = La cuenta { $username } está desactivada y sus sesiones se cerraron
server-user-enabled = La cuenta { $username } está activada

## Predicciones, imágenes subidas y el historial
server-no-file = No se encontró el archivo en la solicitud.
server-not-an-image = Tipo de archivo no permitido. Por favor, sube una imagen PNG, JPG, JPEG o GIF.
server-file-too-large = El archivo es demasiado grande. Envía una imagen de menos de { $size }.
server-image-unreadable = No se pudo leer la imagen: el archivo parece dañado o incompleto.
server-image-too-many-pixels = La imagen tiene demasiados píxeles: como máximo 4096 × 4096. Envía una imagen más pequeña.
server-no-digit = No se encontró ningún dígito en la imagen. Dibuja o fotografía un solo dígito con buen contraste.
server-images-busy = El servidor está ocupado leyendo otras imágenes. Vuelve a intentarlo en un segundo.
server-recogniser-busy = El reconocedor está ocupado ahora mismo. Vuelve a intentarlo en un segundo.
server-recogniser-unavailable = El reconocedor no está disponible ahora mismo. Vuelve a intentarlo en breve.
server-label-id-required = Se necesita el id
server-bad-digit = el dígito debe ser un número entero del 0 al 9
server-bad-label-filter = la etiqueta debe ser confirmed, corrected o unlabelled
server-no-such-prediction = Esa predicción no está en tu historial
server-history-cleared = Se borró tu historial
server-wrong-model = Este servidor usa el modelo { $version }: recarga la página para ver su predicción en directo.
server-downloads-busy = El servidor está ocupado preparando otras descargas. Vuelve a intentarlo en unos segundos.
server-no-such-dataset-file = No existe ese archivo: el conjunto de datos es images-idx3-ubyte.gz, labels-idx1-ubyte.gz o digits.csv
server-no-such-chart = No existe ese gráfico: hours.svg, days.svg, confidence.svg o confusion.svg

## Las solicitudes y el servicio
server-internal = Algo falló por nuestra parte. Vuelve a intentarlo.
server-database-unavailable = La base de datos no está disponible ahora mismo. Vuelve a intentarlo en breve.
server-request-too-large = La solicitud es demasiado grande ({ $size } como máximo).
server-no-such-endpoint = No existe ese endpoint de la API
server-use-methods = Usa { $methods } para este endpoint
server-method-not-allowed = Método no permitido: { $method }
server-body-not-valid = El cuerpo de la solicitud no es válido: { $reason }
server-cross-site = Solicitud entre sitios rechazada
server-unreachable = No se pudo conectar con trazo. Comprueba tu conexión y vuelve a intentarlo.
server-predictions-unavailable = El servicio de predicción no está disponible.
server-accounts-unavailable = El servicio de cuentas no está disponible.
server-request-unavailable = La solicitud no está disponible.
server-browser-cannot-send = Este navegador no puede enviar archivos.
