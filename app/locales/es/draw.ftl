# La página de inicio (app/src/pages/home.rs), las herramientas de dibujo (app/src/pages/draw.rs y
# app/src/pages/draw/*.rs) y «¿Es correcto?» (app/src/pages/label.rs).

## La página de inicio

draw-home-hero-title = Escribe un dígito. trazo lo lee.
draw-home-hero-lede = Dibuja un dígito con el ratón, el dedo o un lápiz, o sube una foto de uno, y una red convolucional entrenada con el conjunto de escritura a mano MNIST te dice qué dígito ve y con cuánta seguridad.
draw-home-how-title = Cómo lee tu dígito
draw-home-step-clean-title = Limpieza
draw-home-step-clean = Tu dibujo o foto se pasa a escala de grises, se localiza y recorta la tinta, y el dígito se escala para que quepa en un cuadro de 20×20.
draw-home-step-centre-title = Centrado
draw-home-step-centre = El dígito se coloca en un lienzo de 28×28 con su centro de masa en el medio — igual que se prepararon los dígitos de MNIST.
draw-home-step-recognise-title = Reconocimiento
draw-home-step-recognise = La red da una probabilidad para cada dígito del 0 al 9. La misma red, escrita en Rust, se ejecuta en tu navegador para la predicción en vivo (compilada a WebAssembly) y en el servidor para la respuesta que se guarda.
draw-home-scripts-title = Para scripts
# «… bajo /api/, así que puedes llamar al mismo servicio con curl o desde tu propio código.»
# (/api/ y curl son código, entre estas tres partes; conserva los espacios de los extremos.)
draw-home-scripts-before = Todo lo que hacen las páginas pasa por una API JSON bajo{" "}
draw-home-scripts-middle = , así que puedes llamar al mismo servicio con{" "}
draw-home-scripts-after = {" "}o desde tu propio código.
# Para quien debe confirmar su correo antes de hacer predicciones.
draw-home-confirm-title = Confirma tu dirección de correo
draw-home-confirm-resend = Enviar el enlace de nuevo
draw-home-confirm-add-address = Añade una dirección en la página de tu cuenta
# Para un visitante, bajo la predicción en vivo.
draw-home-join-title = Guarda tus respuestas
draw-home-join-text = La predicción en vivo de arriba se calcula en tu navegador y no se guarda nada. Con una cuenta gratuita, el servidor da la respuesta oficial, guarda tu historial, acepta fotos subidas y te permite corregir sus respuestas y descargar tus dígitos.
draw-home-join-register = Crear una cuenta
draw-home-join-login = Ya tengo una cuenta
# Donde estará el lienzo mientras se carga, y sin JavaScript.
draw-noscript = Para dibujar aquí hace falta JavaScript. Con una cuenta puedes subir una imagen de un dígito en su lugar.

## El lienzo

draw-title = Dibuja un dígito
draw-hint = Dibuja un solo dígito, del 0 al 9, con el ratón, el dedo o un lápiz. Ocupa la mayor parte del cuadrado.
draw-pad-waiting = Preparando el lienzo…
# El nombre accesible del lienzo.
draw-canvas-label = Área de dibujo
draw-brush-size = Grosor del pincel
# $size: el grosor del pincel en píxeles, ya formateado.
draw-brush-px = { $size } px
draw-undo = Deshacer
draw-clear = Borrar
draw-recognise-drawing = Reconocer dibujo
draw-nothing-drawn = Primero dibuja un dígito.
draw-drawing-unreadable = No se pudo leer el dibujo. Inténtalo de nuevo.
draw-cannot-send-files = Este navegador no puede enviar archivos.

## Subir una imagen

draw-upload-title = O sube una imagen
draw-upload-choose = Elige una imagen (PNG, JPEG o GIF)
draw-upload-drop-hint = …o suéltala aquí.
draw-upload-preview-alt = Vista previa de la imagen elegida
draw-upload-recognise = Reconocer imagen
draw-upload-wrong-type = Ese archivo no es una imagen PNG, JPEG ni GIF. Elige una imagen en uno de esos formatos.
draw-upload-drop-not-file = Suelta un archivo de imagen (PNG, JPEG o GIF).
draw-upload-choose-first = Primero elige una imagen.

## El resultado (la respuesta del servidor)

draw-result-title = Resultado
draw-result-working = Reconociendo…
# Para lectores de pantalla. $digit: la respuesta; $probability: su probabilidad, ya formateada (98,1 %).
draw-result-summary = Reconocido como { $digit }, con una probabilidad del { $probability }.
draw-result-idle = Dibuja un dígito o elige una imagen y pulsa Reconocer.
# Antes del dígito grande.
draw-result-looks-like = Parece un
# $probability: ya formateada (98,1 %).
draw-result-probability = { $probability } de probabilidad
draw-result-cached = Respuesta de la caché: esta misma imagen ya se había reconocido antes.
draw-result-fresh = Reconocido ahora mismo.
draw-result-seen-alt = La imagen de 28 × 28 que vio el modelo
draw-result-seen-caption = Lo que vio el modelo (28 × 28 píxeles)
draw-result-probabilities = Las diez probabilidades
# $model: la versión del modelo (un identificador); $preprocess: la versión del preprocesado.
draw-result-model = Modelo { $model }, preprocesado v{ $preprocess }
# El nombre accesible del medidor de la probabilidad de un dígito.
draw-probability-digit = Dígito { $digit }
# Si coinciden la respuesta del servidor y la predicción en vivo del navegador; $largest: la
# mayor diferencia en una probabilidad, con cuatro decimales.
draw-agreement-same = La predicción en vivo de tu navegador dio las mismas probabilidades.
draw-agreement-differs = La predicción en vivo de tu navegador difiere de esta respuesta hasta en { $largest } en una probabilidad, aunque ambas usaron el mismo modelo: avisa al operador. La respuesta de arriba es la que se guarda.
draw-agreement-other-version = La predicción en vivo de tu navegador usó otra versión del modelo que esta respuesta; recarga la página para actualizarla.
# La línea de la cuota, en cuatro partes alrededor de dos cifras en negrita:
# «Predicciones restantes: [4 de 5] esta hora (se renueva en 12 min), [199 de 200] hoy.»
draw-quota-before = Predicciones restantes:{" "}
# $remaining y $limit: números ya formateados.
draw-quota-window = { $remaining } de { $limit }
# $wait: el tiempo que falta para que se renueve la cuota de la hora (12 min).
draw-quota-hour = {" "}esta hora (se renueva en { $wait }),{" "}
draw-quota-day = {" "}hoy.
# Para lectores de pantalla tras una respuesta, después de draw-result-summary: cuántas
# predicciones se pueden hacer todavía (lo menor entre lo que queda esta hora y hoy).
draw-quota-left = { $count ->
    [one] Queda { $count } predicción
   *[other] Quedan { $count } predicciones
}

## La predicción en vivo

draw-live-title = Predicción en vivo
draw-live-note = Se calcula en tu navegador mientras dibujas, con el mismo modelo que usa el servidor. No se envía nada.
draw-live-loading = Cargando el modelo…
draw-live-empty = Dibuja un dígito para ver qué interpreta el modelo.
# $why: uno de los mensajes draw-live-error-… de abajo.
draw-live-unavailable = La predicción en vivo no está disponible en este navegador ({ $why }).
draw-live-steps = Cómo ve el modelo tu dibujo
draw-step-crop = 1. La tinta, recortada
draw-step-fitted = 2. Ajustada a 20 × 20
draw-step-centred = 3. Centrada en 28 × 28
# Para lectores de pantalla (oculto en pantalla).
draw-live-guess-digit = Predicción en vivo: { $digit }
draw-live-probabilities = Probabilidades en vivo
# $ms: cuánto tardó la predicción, en milisegundos enteros, ya formateado.
draw-live-timing = Leído en { $ms } ms.
# Por qué no está disponible la predicción en vivo. $what: uno de los mensajes de abajo; $detail:
# el mensaje técnico del navegador (sin traducir).
draw-live-error-detail = { $what }: { $detail }
draw-live-error-not-loaded = no se pudo cargar el modelo
draw-live-error-wrong-module = el módulo del modelo no es el que espera esta página
draw-live-error-refused = se rechazaron los pesos del modelo
draw-live-error-not-fetched = no se pudieron descargar los pesos del modelo
# $status: el código de estado HTTP.
draw-live-error-fetch-status = no se pudieron descargar los pesos del modelo ({ $status })
draw-live-error-other-version = el servidor usa ahora otra versión del modelo; recarga la página
draw-live-error-unreadable = no se pudo leer la respuesta del modelo: { $detail }
draw-live-error-read-failed = el modelo no pudo leer el dibujo
draw-live-error-no-pixels = Este navegador no permite volver a leer el dibujo.

## «¿Es correcto?» bajo una respuesta (también en el historial)

draw-label-question = ¿Es correcto?
# $digit: la respuesta del modelo; $label: el dígito que indicó la persona.
draw-label-confirmed = Confirmaste que es un { $digit }.
draw-label-corrected = Dijiste que es un { $label }, no un { $digit }.
# El nombre accesible del grupo de botones.
draw-label-group = ¿Es correcto el { $digit }?
draw-label-yes = Sí, es un { $digit }
draw-label-no = No, es un:
# El nombre accesible del botón de otro dígito.
draw-label-no-digit = No, es un { $digit }
draw-label-take-back = Retirar
