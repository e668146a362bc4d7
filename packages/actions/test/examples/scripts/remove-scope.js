/**
 * Only users explicitly allowed to delete records keep the delete:records scope.
 */
exports.onExecutePostLogin = async (event, api) => {
  const requested = event.transaction.requested_scopes || [];
  if (requested.includes('delete:records') && event.user.app_metadata.can_delete !== true) {
    api.accessToken.removeScope('delete:records');
    console.log(`removed delete:records for ${event.user.user_id}`);
  }
};
