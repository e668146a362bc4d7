import type { Messages } from './types.ts';

const minutes = new Intl.PluralRules('fr');
// French typography: a narrow no-break space before ? ! and a no-break space before :
const NNBSP = '\u202f';
const NBSP = '\u00a0';

export const fr: Messages = {
  documentTitle: (page, tenantName) => `${page} – ${tenantName}`,
  login: {
    title: 'Connexion',
    heading: 'Bienvenue',
    intro: (tenant, client) =>
      client === undefined
        ? `Connectez-vous à ${tenant} pour continuer.`
        : `Connectez-vous à ${tenant} pour continuer vers ${client}.`,
    identifierLabel: 'E-mail ou nom d’utilisateur',
    passwordLabel: 'Mot de passe',
    submit: 'Continuer',
    noAccount: `Vous n’avez pas de compte${NNBSP}?`,
    signupLink: 'Inscrivez-vous',
    errors: {
      invalid_credentials: 'E-mail/nom d’utilisateur ou mot de passe incorrect.',
      too_many_attempts: (n) =>
        n === undefined
          ? 'Trop de tentatives. Réessayez plus tard.'
          : `Trop de tentatives. Réessayez dans ${n} ${minutes.select(n) === 'one' ? 'minute' : 'minutes'}.`,
      blocked: 'Ce compte est bloqué. Contactez votre administrateur.',
      server_error: 'Une erreur s’est produite de notre côté. Veuillez réessayer.',
    },
  },
  signup: {
    title: 'Inscription',
    heading: 'Créez votre compte',
    intro: (tenant, client) =>
      client === undefined
        ? `Inscrivez-vous à ${tenant}.`
        : `Inscrivez-vous à ${tenant} pour continuer vers ${client}.`,
    emailLabel: 'Adresse e-mail',
    passwordLabel: 'Mot de passe',
    passwordHint: (n) => `Au moins ${n} caractères.`,
    submit: 'Continuer',
    haveAccount: `Vous avez déjà un compte${NNBSP}?`,
    loginLink: 'Connectez-vous',
    errors: {
      email_taken: 'Un compte existe déjà avec cette adresse e-mail.',
      invalid_email: 'Saisissez une adresse e-mail valide.',
      weak_password: 'Ce mot de passe est trop faible. Choisissez-en un plus long et moins courant.',
      too_many_attempts: 'Trop de tentatives d’inscription depuis votre réseau. Réessayez plus tard.',
      server_error: 'Une erreur s’est produite de notre côté. Veuillez réessayer.',
    },
  },
  consent: {
    title: 'Autorisation',
    heading: (client) => `Autoriser ${client}`,
    intro: (client, tenant) => `${client} demande l’accès à votre compte ${tenant}.`,
    audience: (audience) => `Pour l’API ${audience}.`,
    scopesLabel: `Cette application pourra${NBSP}:`,
    accept: 'Accepter',
    deny: 'Refuser',
  },
  scopes: {
    openid: 'Confirmer votre identité',
    profile: 'Voir votre profil de base (nom, photo)',
    email: 'Voir votre adresse e-mail',
    address: 'Voir votre adresse postale',
    phone: 'Voir votre numéro de téléphone',
    offline_access: 'Garder l’accès en votre absence',
  },
  logout: {
    title: 'Déconnexion',
    heading: `Se déconnecter${NNBSP}?`,
    question: (tenant, client) =>
      client === undefined
        ? `Voulez-vous fermer votre session ${tenant}${NNBSP}?`
        : `${client} demande la fermeture de votre session ${tenant}. Voulez-vous la fermer${NNBSP}?`,
    confirm: 'Oui, me déconnecter',
    cancel: 'Non, garder ma session',
  },
  loggedOut: {
    // Worded around the session, not the person, to avoid a gendered participle.
    title: 'Session fermée',
    heading: 'Session fermée',
    body: (tenant) => `Votre session ${tenant} est fermée. Vous pouvez fermer cette fenêtre.`,
  },
  home: {
    title: 'Accueil',
    heading: 'Tessera',
    intro: 'Ce serveur est un fournisseur d’identité Tessera (OpenID Connect, compatible Auth0).',
    issuerLabel: `Émetteur${NBSP}:`,
    discoveryLink: 'Document de découverte OpenID Connect',
    docs: `La documentation accompagne Tessera${NBSP}: README.md et le dossier docs/ de son dépôt.`,
    tryBefore: 'Pour voir une connexion, lancez',
    tryAfter: 'dans le dépôt.',
  },
  error: {
    title: 'Erreur',
    headings: {
      access_denied: 'Accès refusé',
      invalid_request: 'Requête invalide',
      login_required: 'Veuillez vous reconnecter',
      server_error: 'Une erreur s’est produite',
      temporarily_unavailable: 'Service momentanément indisponible',
      unauthorized_client: 'Cette application n’est pas autorisée ici',
    },
    descriptions: {
      temporarily_unavailable: 'Le service est momentanément indisponible. Réessayez dans un instant.',
    },
    heading: 'Une erreur s’est produite',
    codeLabel: `Code d’erreur${NBSP}:`,
    requestIdLabel: `Référence${NBSP}:`,
  },
};
